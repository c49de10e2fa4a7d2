"""The city deployment: nginx configuration (`nginx_conf.py`) and the runner (`city.py`)."""
