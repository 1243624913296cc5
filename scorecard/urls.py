from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scorecard import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]

# 400, 403 and 404 use Django's views with templates/<code>.html; 500 tells a
# database outage (503) from a fault.
handler500 = "scorecard.errors.server_error"
