import { describe, it, expect } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import FieldOptions from './FieldOptions.svelte';
import { newField } from '../lib/fields';

describe('FieldOptions', () => {
  it('renders the options of a select field and parses the choices', async () => {
    const field = $state(newField('select'));
    const r = render(FieldOptions, { props: { field, idx: 3 } });
    expect(r.getByLabelText('Required')).toBeTruthy();
    expect(r.getByText('Add at least one choice.')).toBeTruthy();
    const input = r.container.querySelector('#fo-3-values') as HTMLInputElement;
    await fireEvent.change(input, { target: { value: 'a, b ,c' } });
    expect(r.queryByText('Add at least one choice.')).toBeNull();
    expect([...r.container.querySelectorAll('.chip')].map((c) => c.textContent)).toEqual(['a', 'b', 'c']);
  });

  it('offers the relation target, cascade delete and max select', () => {
    const field = $state(newField('relation'));
    const r = render(FieldOptions, { props: { field, idx: 1, collections: [{ id: 'u1', name: 'users', type: 'auth', fields: [] }] } });
    const sel = r.container.querySelector('#fo-1-collectionId') as HTMLSelectElement;
    expect([...sel.options].map((o) => o.textContent)).toContain('users');
    expect(r.getByLabelText('Cascade delete')).toBeTruthy();
    expect(r.container.querySelector('#fo-1-maxSelect')).toBeTruthy();
    expect(r.getByText('Pick the related collection.')).toBeTruthy();
  });

  it('locks the relation target of an existing field', () => {
    const field = $state({ ...newField('relation'), id: 'r1', collectionId: 'u1' });
    const r = render(FieldOptions, { props: { field, idx: 2, existing: true, collections: [{ id: 'u1', name: 'users', type: 'auth', fields: [] }] } });
    expect((r.container.querySelector('#fo-2-collectionId') as HTMLSelectElement).disabled).toBe(true);
  });

  it('shows file options and server errors in place', () => {
    const field = $state(newField('file'));
    const r = render(FieldOptions, { props: { field, idx: 4, errors: { maxSize: { code: 'validation_min', message: 'Must be positive.' } } } });
    for (const id of ['maxSelect', 'maxSize', 'mimeTypes', 'thumbs']) expect(r.container.querySelector('#fo-4-' + id)).toBeTruthy();
    expect(r.getByLabelText('Protected (needs a file token)')).toBeTruthy();
    expect(r.getByText('Must be positive.')).toBeTruthy();
    expect((r.container.querySelector('#fo-4-maxSize') as HTMLElement).classList.contains('invalid')).toBe(true);
  });

  it('number min/max accept empty as null', async () => {
    const field = $state(newField('number'));
    const r = render(FieldOptions, { props: { field, idx: 0 } });
    const min = r.container.querySelector('#fo-0-min') as HTMLInputElement;
    expect(min.value).toBe('');
    expect(r.getByLabelText('No decimals')).toBeTruthy();
  });

  it('autodate shows on create / on update', () => {
    const field = $state(newField('autodate'));
    const r = render(FieldOptions, { props: { field, idx: 0 } });
    expect((r.getByLabelText('On create') as HTMLInputElement).checked).toBe(true);
    expect((r.getByLabelText('On update') as HTMLInputElement).checked).toBe(false);
  });

  it('fills the allowed MIME types of a file field from presets', async () => {
    const field = $state(newField('file'));
    const r = render(FieldOptions, { props: { field, idx: 5 } });
    const input = r.container.querySelector('#fo-5-mimeTypes') as HTMLInputElement;
    const btn = (t: string) => [...r.container.querySelectorAll('button')].find((b) => b.textContent?.trim() === t) as HTMLButtonElement;
    await fireEvent.click(btn('Images'));
    expect(field.mimeTypes).toContain('image/png');
    await fireEvent.click(btn('Archives'));
    expect(field.mimeTypes).toContain('application/zip');
    expect(input.value).toContain('image/png, ');
    expect(btn('Images').disabled).toBe(true);
    await fireEvent.click(btn('Clear'));
    expect(field.mimeTypes).toEqual([]);
  });
});
