"""Argon2id with OWASP's recommended minimum parameters (X-10, #8).

Django's defaults (100 MiB of memory, 8 lanes) cost about a CPU-second and 100 MB of a worker's
memory per login on a 2-core server — 2,000 students signing in in the same minutes would queue
for tens of seconds and push workers past 200 MB (bench/RESULTS.md). OWASP's Password Storage
Cheat Sheet gives m=19 MiB, t=2, p=1 as a minimum configuration for Argon2id: still memory-hard
against GPU cracking, about a fifth of the work. Stored hashes carry their own parameters, so
older hashes keep verifying and are re-hashed with these on the user's next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
