import type { Outcomes, UploadErrorReason } from '../upload/outcomes.js';
import type { Builder } from './builder.js';

/** `enum UploadErrorReason`, its values described from the outcome vocabulary (with the configured limits). */
export function defineUploadErrorReason(builder: Builder, outcomes: Outcomes) {
  const descriptions = outcomes.descriptions();
  return builder.enumType('UploadErrorReason', {
    description: 'Why an upload failed, for clients to switch on.',
    values: Object.fromEntries(
      Object.entries(descriptions).map(([name, description]) => [name, { description }]),
    ) as Record<UploadErrorReason, { description: string }>,
  });
}
