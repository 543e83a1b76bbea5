"""Hand-written fakes shipped for tests (fake broker, ...): no network, no patching."""
