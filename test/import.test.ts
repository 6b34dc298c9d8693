import { stripDescriptions } from '../scripts/import';

describe('stripDescriptions', () => {
  test('removes schema description keywords at every depth', () => {
    const schema = { description: 'top', properties: { a: { type: 'string', description: 'field a' } } };
    expect(stripDescriptions(schema)).toEqual({ properties: { a: { type: 'string' } } });
  });

  test('keeps a property that is named description', () => {
    const schema = { properties: { description: { type: 'string', description: 'the role description' } } };
    expect(stripDescriptions(schema)).toEqual({ properties: { description: { type: 'string' } } });
  });
});
