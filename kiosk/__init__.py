"""letan kiosk: the Kivy self-service touchscreen."""
