"""Pure data and pure functions: the domain model, the league catalog and diffing."""
