"""The ground floor: settings, errors, time, records, taxonomy, file lock. Imports nothing else of dulun."""
