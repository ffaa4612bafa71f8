"""signalboost's Cypher library: schema.cypher and one parameterised query per .cypher file (see README.md)."""
