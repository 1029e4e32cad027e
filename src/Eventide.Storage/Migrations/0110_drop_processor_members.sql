-- Processor membership is Akka.NET's cluster now: the advisory-lock member table is unused.
DROP TABLE IF EXISTS eventide.processor_members;
