"""Where the curated tables live: storage (a local folder or an object store behind one
interface), write (snapshots published atomically, verified and rolled back), segments (a
table's rows kept in content-addressed files that snapshots share). It never imports the runtime.
"""
