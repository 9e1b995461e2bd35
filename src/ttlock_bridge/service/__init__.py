"""The composition root: builds the domain parts from a configuration, hands each channel what
it uses, and runs them together (`Runtime`); `demo` wires the simulator's hotel to it."""
