"""Test helpers shared by every app's tests (factories). Imported by tests only: it needs the
dev extra (factory-boy, Faker), which a production install leaves out."""
