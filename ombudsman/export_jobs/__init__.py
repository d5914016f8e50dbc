"""Exports as background jobs: the deadlines list and the letters register as CSV or XLSX files.

Without a queue (`ombudsman.jobs.queue.uses_queue()` False: no Redis, the embedded default) the export URL
answers the file itself, as it always did. With one, the request records an `ExportJob` (who asked, for which
office, which export, the filters, the day and the requester's language), queues `jobs.tasks.build_export`
and redirects to `/exports/<id>`, a page that refreshes itself until the file is ready and then links it.
The job writes the file once to the shared storage (`ombudsman.storage`, the evidence directory, under
`exports/`), so any node serves it; only the user who asked downloads it (`/exports/<id>/file`; anyone else
gets 404). A failed job is retried like every job, then listed as failed on /admin/jobs (the admin's retry
button). Files and their rows are kept `KEEP` (24 hours) and removed by the next export job after that.
"""
