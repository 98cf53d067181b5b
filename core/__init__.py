"""Infrastructure below every app: no models, no domain, imports nothing of the project (the layers in
the README's Layout). The clock, cache, CSP, throttling and resilience modules move here with #17."""
