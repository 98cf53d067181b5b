"""Infrastructure below every app: no models, no domain, imports nothing of the project (the layers
in the README's Layout). The clock, rich text, the CSV writer, the Redis cache backend, the sessions
engine, CSP and the other security headers, login throttling, and resilience (the polite 503 on a
lost database, the errors of a cache that is down)."""
