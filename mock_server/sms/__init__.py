"""SMS v3: task routes and models, the lifecycle tables and their engine, task faults, errors."""
