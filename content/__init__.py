"""letan content: schema, checker and tooling for the staff-edited procedures and FAQ."""
