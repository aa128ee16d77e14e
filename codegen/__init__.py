"""Render fxsim designs to C (jinja2), build them and run them."""
