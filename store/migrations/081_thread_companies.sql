-- The companies a thread's steps named (nlp.threads): a report naming another company in the same
-- industrial zone or commune is another issue. Threads linked before this read as naming none, as
-- they were linked.
ALTER TABLE issue_threads ADD COLUMN companies VARCHAR[] DEFAULT [];
