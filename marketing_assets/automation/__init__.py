"""Daily operations: the main job, its 02:00 schedule, the landing sensor (new days and
restatements) and the run-failure alert."""
