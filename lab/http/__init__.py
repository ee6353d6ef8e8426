"""A threaded HTTPS/1.1 server and the transport-neutral request/response."""
