"""Measurements of a fixed-point model against its float64 reference."""
