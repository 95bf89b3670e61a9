"""Bringing existing books in: Open Collective exports and bank statements.

Each importer reads its source file into candidate ledger rows (`NewRow`) and problems, never
raising for bad data. `publisher.importers.common.plan_import` then compares the candidates
with the ledgers already in the repository (duplicates, closed periods, categories), and
`apply_plan` writes the result: the accounts.yml additions first, then the target ledger,
each atomically, and nothing at all when any problem is an error.

- `opencollective.py`: Open Collective transaction exports, both layouts.
- `bank.py`: bank statements described by a YAML profile, with categorization rules.
- `ledgerfile.py`: the ledgers already there, appending rows, the atomic write.
- `accountsfile.py`: declaring missing categories in accounts.yml, keeping every other byte.
- `cli.py`: the `publisher import` commands.
"""
