"""Stand-in gunicorn configuration for the benchmarks while the repository has no `gunicorn.conf.py`.

The runner uses the repository's own `gunicorn.conf.py` when it exists (that is what production runs) and
this file only otherwise; the baseline app is always served with the same file as the app. The bind address
is given on the command line by the runner.
"""

import multiprocessing

workers = multiprocessing.cpu_count()
threads = 1
timeout = 120  # PDF renders take seconds under load
graceful_timeout = 10
preload_app = False
accesslog = None
