import { describe, expect, it } from 'vitest';
import { htmlToText } from './html-text.js';

describe('htmlToText', () => {
  it('drops tags, keeps paragraphs apart and undoes escapes', () => {
    expect(htmlToText('<p>Hello O&#x27;Brien,</p>\n<p>A &amp; B &lt;ok&gt;</p>')).toBe(
      "Hello O'Brien,\n\nA & B <ok>",
    );
  });
});
