"""The exam-day monitor: the administrators' page of the service's figures (students connected,
requests per second and p95, live events, mails waiting, tasks failed, database and Redis)."""
