// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnswerBox } from './AnswerBox.js';

afterEach(cleanup);

describe('AnswerBox', () => {
  it('counts characters against 2,000 and refuses to send more, saying so before sending', () => {
    const onSubmit = vi.fn(() => true);
    render(<AnswerBox disabledReason={null} status={{ kind: 'idle' }} onSubmit={onSubmit} />);
    const box = screen.getByLabelText('Your answer');
    expect(screen.getByText(/Up to 2,000 characters/)).toBeTruthy();

    fireEvent.change(box, { target: { value: 'x'.repeat(2000) } });
    expect(screen.getByTestId('char-count').textContent).toBe('2,000 / 2,000');
    expect((screen.getByRole('button', { name: 'Send answer' }) as HTMLButtonElement).disabled).toBe(false);

    fireEvent.change(box, { target: { value: 'x'.repeat(2003) } });
    expect(screen.getByTestId('char-count').textContent).toContain('3 too many');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    const send = screen.getByRole('button', { name: 'Send answer' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.submit(box.closest('form')!);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('does not send an empty answer', () => {
    const onSubmit = vi.fn(() => true);
    render(<AnswerBox disabledReason={null} status={{ kind: 'idle' }} onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Your answer'), { target: { value: '   ' } });
    fireEvent.submit(screen.getByLabelText('Your answer').closest('form')!);
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Write an answer before sending.')).toBeTruthy();
  });

  it('is disabled with the reason while a question streams', () => {
    render(<AnswerBox disabledReason="Wait for the question to finish." status={{ kind: 'idle' }} onSubmit={() => true} />);
    expect((screen.getByLabelText('Your answer') as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByTestId('answer-disabled-reason').textContent).toBe('Wait for the question to finish.');
  });

  it('sends with Ctrl+Enter, clears, and shows "Sent" only from the status it is given', () => {
    const onSubmit = vi.fn(() => true);
    const { rerender } = render(<AnswerBox disabledReason={null} status={{ kind: 'idle' }} onSubmit={onSubmit} />);
    const box = screen.getByLabelText('Your answer') as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'My answer' } });
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true });
    expect(onSubmit).toHaveBeenCalledWith('My answer');
    expect(box.value).toBe('');
    expect(screen.getByTestId('send-status').textContent).toBe('');
    rerender(<AnswerBox disabledReason={null} status={{ kind: 'sending' }} onSubmit={onSubmit} />);
    expect(screen.getByTestId('send-status').textContent).toBe('Sending…');
    rerender(<AnswerBox disabledReason={null} status={{ kind: 'sent' }} onSubmit={onSubmit} />);
    expect(screen.getByTestId('send-status').textContent).toBe('Sent ✓');
  });
});
