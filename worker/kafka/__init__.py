"""The Kafka edge: embedded broker, topic set-up, Tansu workarounds and the Faust app.

Everything that imports faust or aiokafka lives in this package; the core never does.
"""
