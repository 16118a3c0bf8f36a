"""Providers: one module per vendor, turning its HTTP JSON into domain objects."""
