"""One router per resource: meta (methodologies, datasets, runs, categories), regions, results, profiles,
analyses and downloads."""
