"""How a run is driven: pipeline (the one stage sequence every entry point executes),
executors (where its calls run: this process or worker processes), state (what the next run
reuses), spool (working files), memory (the process's bulk-work setting), summary (what a run
did).
"""
