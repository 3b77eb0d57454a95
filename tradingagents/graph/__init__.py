"""Graph wiring: the discovery state schema and the LangGraph graph built from it."""
