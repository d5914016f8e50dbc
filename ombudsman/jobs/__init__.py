"""Background jobs: work too slow for a request (PDF renders of issued letters, the reminder run, exports)
runs on RQ (Redis).

`queue.submit` runs a job on the queue when REDIS_URL is set (`flask --app wsgi jobs worker` runs them, on
any node), and inline, in the caller's request, without Redis (the embedded single-process default and the
test suite). `tasks` holds the job functions; `views` the admin's jobs page.
"""
