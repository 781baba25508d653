//! Tantivy's side of the domain's terms: the index is tokenized exactly as the
//! queries are, by `helpdesk_domain::search::terms`.

use helpdesk_domain::search::terms;
use tantivy::Index;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

pub const NAME: &str = "helpdesk";

pub fn register(index: &Index) {
    index.tokenizers().register(NAME, TextAnalyzer::from(Terms));
}

#[derive(Clone)]
struct Terms;

pub struct Stream {
    tokens: std::vec::IntoIter<terms::Token>,
    position: usize,
    current: Token,
}

impl Tokenizer for Terms {
    type TokenStream<'a> = Stream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream {
        Stream {
            tokens: terms::tokens(text).into_iter(),
            position: 0,
            current: Token::default(),
        }
    }
}

impl TokenStream for Stream {
    fn advance(&mut self) -> bool {
        let Some(t) = self.tokens.next() else {
            return false;
        };
        self.current = Token {
            offset_from: t.start,
            offset_to: t.end,
            position: self.position,
            text: t.term,
            position_length: 1,
        };
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}
