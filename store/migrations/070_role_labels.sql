-- Analysts' corrections of a document's follow-up role (report / response / resolution / none),
-- made in the workbench. The latest correction of a document wins; it counts wherever follow-up
-- reads roles (store.followup: thread_documents, role_of) for any moment at or after labeled_at.
-- Nothing here is keyed by a person: a correction says what a document is, not who said so.
CREATE TABLE role_labels (
    doc_id      VARCHAR PRIMARY KEY,
    role        VARCHAR NOT NULL,
    labeled_at  TIMESTAMPTZ NOT NULL
);
