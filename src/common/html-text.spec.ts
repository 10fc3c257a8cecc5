import { describe, expect, it } from 'vitest';
import { htmlToText } from './html-text.js';

describe('htmlToText', () => {
  it('drops tags, keeps paragraphs apart and undoes escapes', () => {
    expect(htmlToText('<p>Hello O&#x27;Brien,</p>\n<p>A &amp; B &lt;ok&gt;</p>')).toBe(
      "Hello O'Brien,\n\nA & B <ok>",
    );
  });

  it('keeps a link’s address after its words, and a bare address once', () => {
    expect(htmlToText('<p><a href="https://kehu.example/tickets/5?tab&#x3D;a&amp;b">打开工单</a></p>')).toBe(
      '打开工单\nhttps://kehu.example/tickets/5?tab=a&b',
    );
    expect(htmlToText('<p><a href="https://kehu.example/t/x">https://kehu.example/t/x</a></p>')).toBe(
      'https://kehu.example/t/x',
    );
  });
});
