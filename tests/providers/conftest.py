"""Provider tests share the session lab and isolate themselves with unique names."""
