"""The document's dashboards (section 5) as report assets that render plots."""
