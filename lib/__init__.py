"""Django-free helpers: calendar months and number formatting."""
