"""Presales (预售): the presale × SKU relation with prices and deposits, and the deposit →
final-payment conversion per presale."""
