import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { EMPTY_FORM, fieldOfPath, serverErrors, shareUrl, toCreateRequest } from './openings.js';

const valid = { ...EMPTY_FORM, title: '  Payments backend ', role: 'backend-engineer', mustAsk: 'First?\n\n  Second?  \n' };

describe('the opening form', () => {
  it('builds the request the server expects (trimmed must-ask lines, modes from the checkboxes)', () => {
    const res = toCreateRequest({ ...valid, voice: false, persona: 'warm' });
    expect(res).toEqual({
      ok: true,
      body: {
        title: '  Payments backend ',
        role: 'backend-engineer',
        jobDescription: '',
        length: { minQuestions: 12, maxQuestions: 15 },
        allowedModes: ['text'],
        persona: 'warm',
        mustAsk: ['First?', 'Second?'],
      },
    });
  });

  it('names each bad field with the shared schema before any request', () => {
    const res = toCreateRequest({ ...valid, title: ' ', minQuestions: '16', maxQuestions: '14', text: false, voice: false });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(Object.keys(res.errors).sort()).toEqual(['allowedModes', 'minQuestions', 'title']);
    expect(res.errors.minQuestions).toContain('minQuestions must be <= maxQuestions');
  });

  it('rejects lengths outside 12..20 and too many must-ask questions for the length', () => {
    const short = toCreateRequest({ ...valid, minQuestions: '5' });
    expect(short.ok ? null : Object.keys(short.errors)).toEqual(['minQuestions']);
    const many = toCreateRequest({ ...valid, maxQuestions: '12', mustAsk: Array.from({ length: 10 }, (_, i) => `Q${i}?`).join('\n') });
    expect(many.ok ? null : many.errors.mustAsk).toMatch(/too many must-ask questions/);
  });

  it('maps server VALIDATION details to the form fields, must-ask lines by number', () => {
    const err = new ApiError(400, {
      code: 'VALIDATION',
      message: 'invalid opening',
      details: [
        { path: 'length.maxQuestions', message: 'Too big' },
        { path: 'mustAsk.3', message: 'Too long' },
        { path: 'role', message: 'Unknown role' },
      ],
    });
    expect(serverErrors(err)).toEqual({ maxQuestions: 'Too big', mustAsk: 'line 4: Too long', role: 'Unknown role' });
    expect(serverErrors(new ApiError(500, { code: 'INTERNAL', message: 'Boom' }))).toEqual({ form: 'Boom' });
    expect(fieldOfPath('length')).toBe('length');
    expect(fieldOfPath('version')).toBe('form');
  });

  it('makes the share link from the origin and the server path', () => {
    expect(shareUrl({ link: '/o/abcdefghijklmnopqrstuv' }, 'https://candor.example')).toBe('https://candor.example/o/abcdefghijklmnopqrstuv');
  });
});
