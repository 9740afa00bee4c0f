"""The allowance system (津贴): allowance templates and the claim and use of each allowance."""
