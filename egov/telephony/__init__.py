"""Lines and calls: numbering, areas and destinations, rating, who may see which calls, the report,
exports, claims."""
