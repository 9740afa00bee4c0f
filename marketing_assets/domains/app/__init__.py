"""The app layer (redapp): order-line repurchase performance and the platform's daily metrics."""
