"""psvm-lab, the demo: a lab nova (database and notifications) and the scenario
that plays it against psvm-listener and nexus-sim's switches."""
