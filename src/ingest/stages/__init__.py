"""The pipeline's stages, pure functions over plain data, in the order a page goes through them:
read (raw files into pages), extract (text lines), clean and boilerplate (site chrome out),
site (pages grouped by site), parse and sections (headings into fields), dedup (duplicates
marked), tables (the curated rows), validate (the rows checked against the schema).

They import only the model at the package's root (models, schema, config, errors, rules,
tabular); how a run batches them is :mod:`ingest.runtime`, where tables land :mod:`ingest.store`.
"""
