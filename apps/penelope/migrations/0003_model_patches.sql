-- The patch asked of core's language model after the analysers' patches (docs/healing.md, "Model patches").
ALTER TABLE {{schema}}.diagnoses ADD COLUMN model_patch_status text NOT NULL DEFAULT 'off'
  CHECK (model_patch_status IN ('off', 'pending', 'proposed', 'unavailable', 'failed'));
