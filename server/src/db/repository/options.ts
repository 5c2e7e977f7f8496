/** Options of every findOneAndUpdate: the document after the write, plain, validated by mongoose too. */
export const AFTER = { returnDocument: 'after', lean: true, runValidators: true } as const;
