const CATEGORY = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Stream names are `<category>-<id>`. The category holds no dash, so that the text before
 * the first dash is the category both here and in EventStoreDB's `$ce-<category>`.
 */
export function streamName(category: string, id: string): string {
  if (!CATEGORY.test(category)) {
    throw new Error(`Stream category "${category}" must start with a letter and hold only letters, digits and underscores.`);
  }
  if (!id) throw new Error(`The id of a "${category}" stream must not be empty.`);
  return `${category}-${id}`;
}

export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}
