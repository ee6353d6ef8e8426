"""The request pipeline and the two product dialects (PVE, PBS)."""
