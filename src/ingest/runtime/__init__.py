"""How a run is driven: pipeline (the one stage sequence every entry point executes, and the
executors that decide where its calls run), state (what the next run reuses), spool (working
files), memory (the process's bulk-work setting), summary (what a run did).
"""
